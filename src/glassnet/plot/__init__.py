"""Pictures of glassnet networks, steps and training runs (matplotlib, imported lazily).

Every single-panel function takes ``ax=None`` and returns the Figure, or the Axes when one is
given; nothing uses pyplot's global state. Install with ``pip install 'glassnet[plot]'``.

Examples
--------
>>> from glassnet import mlp
>>> from glassnet.plot import plot_network
>>> type(plot_network(mlp("2,2,1", seed=0))).__name__
'Figure'
"""

from glassnet.plot._base import save_figure
from glassnet.plot.animation import BoundaryAnimation
from glassnet.plot.boundary import plot_decision_boundary, plot_neuron_maps
from glassnet.plot.curves import plot_history
from glassnet.plot.heatmaps import plot_confusion_matrix, plot_weight_matrix
from glassnet.plot.histograms import WeightRecorder, plot_histograms
from glassnet.plot.lr_find import plot_lr_find
from glassnet.plot.network_diagram import plot_network
from glassnet.plot.notebook import history_svg, network_svg, trace_svg
from glassnet.plot.standard import save_standard_plots
from glassnet.plot.step_diagram import plot_trace
from glassnet.plot.svg_text import figure_svg

__all__ = [
    "BoundaryAnimation",
    "WeightRecorder",
    "figure_svg",
    "history_svg",
    "network_svg",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_histograms",
    "plot_history",
    "plot_lr_find",
    "plot_network",
    "plot_neuron_maps",
    "plot_trace",
    "plot_weight_matrix",
    "save_figure",
    "save_standard_plots",
    "trace_svg",
]
