"""groundup.models"""
