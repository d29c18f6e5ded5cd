"""Readers for the datasets' real on-disk formats.

Each module exposes ``read_split(dataset, paths, split)`` returning
``(images, labels, skipped)``: uint8 images (N, H, W) or (N, H, W, 3),
int64 labels (N,), and a list of ``(file, reason)`` for items left out.
"""
