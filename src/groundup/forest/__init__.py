"""groundup.forest"""
