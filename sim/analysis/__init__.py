"""What is done with many runs: calibration to the public record, paired scenario comparison, sensitivity
analysis, scores and the fit report. Built on :mod:`sim.run` and :mod:`sim.io`.
"""
