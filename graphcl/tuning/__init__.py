"""graphcl.tuning"""
