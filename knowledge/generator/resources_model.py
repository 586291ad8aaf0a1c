"""boto3 resources-1.json → the Rust `ResourceModel` shape, with the Python-facing names boto3 derives."""


def _params(items):
    out = []
    for p in items or []:
        out.append({
            "target": p["target"],
            "source": p["source"],
            "name": p.get("name"),
            "path": p.get("path"),
            "value": p.get("value"),
        })
    return out


def _request(req):
    return {"operation": req["operation"], "params": _params(req.get("params"))}


def _response_resource(res):
    if not res:
        return None
    return {"type": res["type"], "identifiers": _params(res.get("identifiers")), "path": res.get("path")}


def _resource_def(d, xform):
    return {
        "identifiers": [{"name": i["name"], "attribute": xform(i["name"]), "member_name": i.get("memberName")} for i in d.get("identifiers", [])],
        "shape": d.get("shape"),
        "load": _request(d["load"]["request"]) if "load" in d else None,
        "actions": {k: {"method": xform(k), "request": _request(v["request"]), "resource": _response_resource(v.get("resource"))}
                    for k, v in sorted(d.get("actions", {}).items())},
        "batch_actions": {k: {"method": xform(k), "request": _request(v["request"]), "resource": _response_resource(v.get("resource"))}
                          for k, v in sorted(d.get("batchActions", {}).items())},
        "has": {k: {"resource": _response_resource(v["resource"])} for k, v in sorted(d.get("has", {}).items())},
        "collections": {k: {"attribute": xform(k), "request": _request(v["request"]), "resource": _response_resource(v.get("resource"))}
                        for k, v in sorted(d.get("hasMany", {}).items())},
        "waiters": {k: {"method": "wait_until_" + xform(k), "waiter_name": v["waiterName"], "params": _params(v.get("params"))}
                    for k, v in sorted(d.get("waiters", {}).items())},
    }


def convert(doc, xform):
    return {
        "service": _resource_def(doc.get("service", {}), xform),
        "resources": {k: _resource_def(v, xform) for k, v in sorted(doc.get("resources", {}).items())},
    }
