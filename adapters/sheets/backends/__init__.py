"""Where the managers' spreadsheet lives: a local .xlsx workbook, or Google Sheets."""
