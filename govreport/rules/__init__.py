"""The rules engine: the value model (``values``) and the template's rules compiled and evaluated (``engine``)."""

from .engine import Rule, TableRules, Verdict, compile_table, cross_year_rules, evaluate, values_of
from .values import TOLERANCE, EmptyMeans, NullPolicy, empty_value, holds

__all__ = ["TOLERANCE", "EmptyMeans", "NullPolicy", "Rule", "TableRules", "Verdict", "compile_table",
           "cross_year_rules", "empty_value", "evaluate", "holds", "values_of"]
