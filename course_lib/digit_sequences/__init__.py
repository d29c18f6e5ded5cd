"""Reading sequences of digits, as assignments 5 and 6 do.

- `sequences`: the synthetic sequence images (glyph pools of MNIST digits or letters, placed along a strip) and
  their labels (a digit per position, BLANK after the last);
- `multidigit`: the network with a length head and one head per position, its training data, its readings
  (per position, or the whole number with the length head) and their accuracy and coverage, and the figures.
"""
