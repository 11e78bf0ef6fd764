"""Fitting into an LMS: LTI 1.3 launches (the tool side, on pylti1p3) and xAPI statements sent to an LRS."""
