"""Readers and checks for every input: police street files, counts, population, harm weights."""
