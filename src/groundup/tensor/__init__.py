"""groundup.tensor"""
