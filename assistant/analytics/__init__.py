"""The curators' aggregates over every learner's turns and feedback (tables.py), their charts (charts.py) and files
(files.py): what was asked for, what the catalog lacked, which prerequisites learners missed, how items were received."""
