"""groundup.optim"""
