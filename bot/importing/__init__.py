"""Turning a plan document (.docx, .xlsx, .csv, .txt/.md, .pdf) into a plan and its tasks, previewed before saving."""
