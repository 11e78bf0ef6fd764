"""Follow-up questions about the last answer: recognising them (parse.py) and answering why / why not (answers.py)."""
