"""graphcl.hetero"""
