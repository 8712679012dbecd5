"""groundup.ladder"""
