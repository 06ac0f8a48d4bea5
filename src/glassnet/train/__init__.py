"""Training: the step (``step``: forward, error, backward, grad hook, optimiser step, written
once), its fast twin (``compiled_step``), the loop over epochs and batches (``fit``), what the
loop checks and prepares first (``setup``), and the learning-rate range test (``lr_finder``)."""
