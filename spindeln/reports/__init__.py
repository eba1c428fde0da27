"""The PDF handout of a closed round, for experience-exchange meetings and reports."""
