"""Strategic Assessment Workbook: evidence, criteria and ranking for a Community Safety Partnership."""

__version__ = "0.1.0"
