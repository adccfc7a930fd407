"""Document layout (.docx, .xlsx, charts): the only code importing docx, openpyxl, matplotlib.

Layout only: every string and date is decided in the domain layer.
"""
