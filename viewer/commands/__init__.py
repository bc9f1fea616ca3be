"""Headless sub-commands of ``trigger-atlas`` (each: ``HELP``, ``add_arguments``, ``run``).

``viewer.cli`` registers them in its ``COMMANDS`` table; heavy imports happen inside ``run`` so
``trigger-atlas --help`` stays fast.
"""
