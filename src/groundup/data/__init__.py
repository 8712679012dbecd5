"""groundup.data"""
