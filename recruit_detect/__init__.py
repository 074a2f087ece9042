"""recruit-detect: find illegal recruitment advertisements in Indonesian social-media posts.

Importing the package is cheap on purpose: spaCy, scikit-learn and the model load only when a
command or function needs them.
"""
__version__ = "0.1.0"
