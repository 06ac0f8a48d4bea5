"""The playground: a local web page that trains a glassnet network and shows backpropagation.

Run ``glassnet playground``; :mod:`glassnet.playground.server` serves the page, one
:class:`glassnet.playground.session.Session` per browser tab does the maths.
"""
