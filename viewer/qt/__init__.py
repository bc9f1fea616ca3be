"""PySide6 widgets: they translate user intent into state actions and reflect state back."""
