"""The national register of licensed drivers: people, licences, decision events, vehicles, concerns,
screening, requests for details, import and export."""
