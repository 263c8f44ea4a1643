"""Analysis reads only the study directory: tidy metrics in, crossover figures and tables out."""
