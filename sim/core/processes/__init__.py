"""The daily processes of the model, one module each (see :class:`sim.core.model.RouteModel` for the order).

Every process is built with the shared :class:`~sim.core.world.World` and the processes it calls, so
calls run one way: origins -> legal, transit; transit -> crossings, detention, hubs; sea -> hubs;
crossings -> detention, hubs, information; detention -> hubs; hubs, legal -> choice; choice -> market,
information. Each module's docstring says what state it reads and writes.
"""
