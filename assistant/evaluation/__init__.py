"""Evaluation: dialogue cases, ranking/profile/reason metrics, the runner and its reports."""
