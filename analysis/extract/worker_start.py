"""What the worker processes of a local Dask cluster start with, loaded once for all of them.

`DaskEngine` has a local cluster's workers forked from a `multiprocessing` fork server that
imports this module first: the fork server loads the model and reads one short article
(`Extractor.warm`: language detector, given names, lexicons, date parser), and every worker
forked from it starts with all of that in memory, as the plain ingest's forked workers do.
Spawned instead (distributed's default), each worker imports distributed and spaCy and loads
the model again, the workers all at once (~10 s on a 2-core machine before the first batch).
The fork server runs a single thread, so forking it is safe, unlike forking the client.
The model is the settings' (`settings.model_name`): a cluster asked for another one loads it
on each worker's first batch, as a spawned worker would.
"""
from .pipeline import Extractor

try:
    Extractor().warm()
except Exception:  # raised here, it would end the fork server and with it every worker's start; left
    pass  # to the workers, the same error comes back from the first batch, to the client, with its reason
