"""graphcl.core"""
