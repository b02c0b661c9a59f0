"""The Teams edge: botbuilder lives here (and in dialogs/) and nowhere else.

botbuilder-python's vendor ended support on 2025-12-31; keeping it in this room means a move to
the Microsoft 365 Agents SDK touches this folder and dialogs/, not the domain or the services.
"""
