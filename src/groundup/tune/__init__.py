"""groundup.tune"""
