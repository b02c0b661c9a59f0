"""The IMR domain: reviews, stages, working-day plans, roles and policies.

Plain Python only: nothing here imports botbuilder, SQLAlchemy or does I/O, and time is always
passed in, so every rule can be tested day by day.
"""
