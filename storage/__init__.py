"""Storage layer of the register: the database, its migrations and the functions that read and write it.

Imports nothing from the domain or the UI; the engine is passed into every function, and what comes
back is plain frozen dataclasses, never ORM objects or sessions.
"""
