"""tickets"""
