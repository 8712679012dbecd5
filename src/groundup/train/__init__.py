"""groundup.train"""
