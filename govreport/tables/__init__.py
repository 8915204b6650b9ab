"""Table recovery: from printed text (or page geometry) to template cells, checked by the report's arithmetic."""
