"""The default theme: Jinja templates and static files, installed as package data of roundup."""
