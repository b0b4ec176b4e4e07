/*
 * kg view: draws the graph embedded in #kg-view-data with vis-network and wires
 * the search and filter menus (pyvis's select_menu / filter_menu) to pyvis's
 * bindings (utils.js: neighbourhoodHighlight, selectNode, highlightFilter...).
 *
 * Nothing taken from the graph is ever written as HTML: text goes through
 * textContent, tom-select's escaping renderers, or vis-network's tooltips,
 * which show string titles with innerText.
 */

// Globals that pyvis's utils.js reads and writes.
var nodes, edges, network, allNodes, allEdges, nodeColors;
var highlightActive = false;
var filterActive = false;
var filter = { item: "", property: "", value: [] };

// Progress of the page, for people (the loading box) and for tests.
window.kgView = {
  ready: false,
  stabilized: false,
  startedAt: performance.now(),
  drawnAt: null,
  menusAt: null,
  stabilizedAt: null,
  nodeCount: 0,
  edgeCount: 0
};

function kgSetText(id, text) {
  var element = document.getElementById(id);
  if (element) {
    element.textContent = text;
  }
}

function kgFinishLayout() {
  // Freeze the layout: physics only ran to place the nodes.
  var state = window.kgView;
  if (state.stabilized) {
    return;
  }
  if (network) {
    network.setOptions({ physics: { enabled: false } });
  }
  kgLegibleLabels();
  state.stabilized = true;
  state.stabilizedAt = performance.now();
  document.getElementById("kg-loading").hidden = true;
}

// On-screen size (px) of the major nodes' labels at the first zoom.
var KG_LEGIBLE_PX = 13;

function kgLegibleLabels() {
  // Fit the settled layout to the window, then enlarge the labels of the major
  // nodes (the most mentioned entities, the ego centre) so they read at first
  // sight; the others appear as the user zooms in (scaling.label.drawThreshold).
  if (!network || nodes.length === 0) {
    return;
  }
  network.fit({ animation: false });
  var scale = network.getScale();
  var updates = [];
  nodes.forEach(function (node) {
    if (!node.major) {
      return;
    }
    var font = Object.assign({}, node.font || {});
    font.size = Math.max(font.size || 14, Math.ceil(KG_LEGIBLE_PX / scale));
    updates.push({ id: node.id, font: font });
    allNodes[node.id].font = font; // pyvis's highlight restores nodes from allNodes
  });
  nodes.update(updates);
  window.kgView.scale = scale;
}

function kgDraw(payload) {
  var container = document.getElementById("mynetwork");
  nodes = new vis.DataSet(payload.nodes);
  edges = new vis.DataSet(payload.edges);
  allNodes = nodes.get({ returnType: "Object" });
  allEdges = edges.get({ returnType: "Object" });
  nodeColors = {};
  for (var nodeId in allNodes) {
    nodeColors[nodeId] = allNodes[nodeId].color;
  }
  window.kgView.nodeCount = payload.nodes.length;
  window.kgView.edgeCount = payload.edges.length;
  if (payload.nodes.length === 0) {
    document.getElementById("kg-empty").hidden = false;
  }
  network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);
  window.kgView.drawnAt = performance.now();
  network.on("stabilizationProgress", function (params) {
    kgSetText("kg-progress", Math.round((100 * params.iterations) / params.total) + "%");
  });
  network.once("stabilizationIterationsDone", kgFinishLayout);
  if (payload.neighborhoodHighlight) {
    network.on("click", neighbourhoodHighlight);
  }
  if (!payload.options.physics.enabled || payload.nodes.length === 0) {
    kgFinishLayout();
  }
}

function kgSelectMenu() {
  var select = document.getElementById("select-node");
  if (!select) {
    return;
  }
  var control = new TomSelect(select, {
    create: false,
    maxOptions: 200,
    sortField: { field: "text", direction: "asc" },
    onChange: function (value) {
      if (!value) {
        return;
      }
      selectNode([value]);
      network.focus(value, { scale: Math.max(network.getScale(), 0.9), animation: false });
    }
  });
  document.getElementById("kg-reset-selection").addEventListener("click", function () {
    control.clear(true);
    network.unselectAll();
    neighbourhoodHighlight({ nodes: [] });
  });
}

function kgDistinctValues(items, property) {
  // The values of one property, as the strings highlightFilter compares.
  var seen = {};
  var values = [];
  for (var id in items) {
    var value = items[id][property];
    if (value === undefined || value === null) {
      continue;
    }
    var text = String(value);
    if (!Object.prototype.hasOwnProperty.call(seen, text)) {
      seen[text] = true;
      values.push(value);
    }
  }
  values.sort(function (a, b) {
    if (typeof a === "number" && typeof b === "number") {
      return a - b;
    }
    return String(a).localeCompare(String(b));
  });
  return values.map(String);
}

function kgFilterMenu(filterable) {
  if (!document.getElementById("select-item")) {
    return;
  }
  var valueControl = new TomSelect("#select-value", {
    maxItems: null,
    valueField: "id",
    labelField: "title",
    searchField: "title",
    create: false,
    sortField: [{ field: "$order" }]
  });
  var propertyControl = new TomSelect("#select-property", {
    valueField: "id",
    labelField: "title",
    searchField: "title",
    create: false,
    onChange: function (property) {
      valueControl.clear(true);
      valueControl.clearOptions();
      filter.property = property;
      filter.value = [];
      if (!property) {
        return;
      }
      var items = filter.item === "edge" ? allEdges : allNodes;
      kgDistinctValues(items, property).forEach(function (text) {
        valueControl.addOption({ id: text, title: text });
      });
    }
  });
  var itemControl = new TomSelect("#select-item", {
    create: false,
    onChange: function (item) {
      propertyControl.clear(true);
      propertyControl.clearOptions();
      valueControl.clear(true);
      valueControl.clearOptions();
      filter = { item: item, property: "", value: [] };
      (filterable[item] || []).forEach(function (property) {
        propertyControl.addOption({ id: property, title: property });
      });
    }
  });
  document.getElementById("kg-filter").addEventListener("click", function () {
    filter.value = valueControl.getValue();
    if (filter.item && filter.property && filter.value.length > 0) {
      highlightFilter(filter);
    }
  });
  document.getElementById("kg-reset-filter").addEventListener("click", function () {
    itemControl.clear();
    filter = { item: "", property: "", value: [] };
    filterHighlight({ nodes: [] });
  });
}

(function main() {
  var payload = JSON.parse(document.getElementById("kg-view-data").textContent);
  kgDraw(payload);
  kgSelectMenu();
  kgFilterMenu(payload.filterable);
  window.kgView.menusAt = performance.now();
  window.kgView.ready = true;
})();
