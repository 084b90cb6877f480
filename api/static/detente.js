// The detente home page: YASGUI over this server's /sparql, example queries, entity search.
(function () {
  "use strict";
  var DATA_BASE = "https://w3id.org/detente/id/";
  var examples = JSON.parse(document.getElementById("example-queries").textContent);
  var endpoint = new URL("/sparql", window.location.href).href;

  // No autocompleter that calls outside services (LOV) or adds prefix.cc declarations: prefix.cc's "dt:" is not
  // detente's, and this endpoint predeclares dt:, dtr:, prov:, dct:, rdfs:… anyway.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(function (name) {
    return name !== "class" && name !== "property" && name !== "prefixes";
  });
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,
  });
  window.detenteYasgui = yasgui;
  var tab = yasgui.getTab();
  if (tab && examples.length) {
    tab.setQuery(examples[0].query);
  }

  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = examples[Number(button.dataset.index)];
      var current = yasgui.getTab();
      current.setQuery(example.query);
      current.query();
    });
  });

  // Result cells link detente IRIs (w3id.org, not this server) to this server's pages.
  function localHref(iri) {
    if (iri.indexOf(DATA_BASE) !== 0) { return null; }
    var path = iri.slice(DATA_BASE.length);
    if (path.indexOf("claim/") === 0) { return "/claims/" + path.slice(6); }
    if (path.indexOf("graph/") === 0) { return null; }
    return "/entities/" + path;
  }
  document.addEventListener("click", function (event) {
    var anchor = event.target.closest ? event.target.closest("a[href]") : null;
    if (!anchor) { return; }
    var target = localHref(anchor.getAttribute("href"));
    if (target) {
      event.preventDefault();
      window.location.href = target;
    }
  });

  var form = document.getElementById("entity-search");
  var list = document.getElementById("entity-results");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = document.getElementById("entity-q").value.trim();
    list.textContent = "";
    if (!q) { return; }
    fetch("/search?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var results = body.results || [];
        if (!results.length) {
          var none = document.createElement("li");
          none.textContent = "No entity matches “" + q + "”.";
          list.appendChild(none);
        }
        results.forEach(function (hit) {
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = hit.id ? "/entities/" + hit.id : "/entities/" + encodeURIComponent(hit.iri);
          link.textContent = hit.label;
          item.appendChild(link);
          if (hit.type) {
            var type = document.createElement("span");
            type.className = "tag";
            type.textContent = hit.type.split("#").pop();
            item.appendChild(document.createTextNode(" "));
            item.appendChild(type);
          }
          list.appendChild(item);
        });
      })
      .catch(function (error) {
        var failed = document.createElement("li");
        failed.textContent = "Search failed: " + error;
        list.appendChild(failed);
      });
  });
})();
