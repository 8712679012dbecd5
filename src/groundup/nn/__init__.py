"""groundup.nn"""
