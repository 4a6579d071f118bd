// The picture of a persona's graph (cytoscape.js): identifiers as nodes, coloured and shaped by
// type; evidence as edges, thicker for stronger evidence, coloured by the rule decision; shared
// and blocked identifiers marked; identifiers of other personas, reached by links that did not
// join, boxed apart. Hover (or tap) tells the event behind a link. Members and the links between
// them can be selected, to be split off.
import { h, fill, formatTime } from './dom.js';
import { TYPE_LOOK } from './identifiers.js';
import { STRENGTH_TEXT, decisionClass, decisionText } from './evidence.js';

const OUTSIDE_GROUP = 'outside';
const MAX_LABEL_CHARS = 22;
const DEVICE_LABEL_CHARS = 8;
const FIT_PADDING = 28;
/** A small persona fitted to the picture would be blown up: no closer than this. */
const MAX_FIT_ZOOM = 1.3;
/** Edge length on a laptop-wide picture; narrower pictures (phones) get shorter edges, so labels stay legible. */
const EDGE_LENGTH = 70;
const MIN_EDGE_LENGTH = 30;
const EDGE_LENGTHS_PER_WIDTH = 10;
const REPULSION_PER_SQUARED_LENGTH = 1.6;

function layoutFor(width) {
  const length = Math.max(MIN_EDGE_LENGTH, Math.min(EDGE_LENGTH, width / EDGE_LENGTHS_PER_WIDTH));
  return {
    // start from the circle elementsOf lays out, not from random places: the same persona is drawn the same way every time
    name: 'cose', animate: false, randomize: false, padding: FIT_PADDING, nodeDimensionsIncludeLabels: true,
    idealEdgeLength: () => length, nodeRepulsion: () => REPULSION_PER_SQUARED_LENGTH * length * length,
    nodeOverlap: 20, componentSpacing: length, nestingFactor: 1.2, gravity: 1,
  };
}
/** The tooltip keeps this far from the pointer, and from the picture's right edge. */
const TOOLTIP_OFFSET = 12;

const COLORS = {
  text: '#1f2937', joined: '#64748b', refused: '#dc2626', ignored: '#d97706', cut: '#94a3b8', pending: '#94a3b8',
  shared: '#d97706', blocked: '#dc2626', selected: '#facc15', selectedBorder: '#a16207', groupFill: '#fef2f2', groupBorder: '#fca5a5',
};

function label(node) {
  const value = node.type === 'device' ? `${node.value.slice(0, DEVICE_LABEL_CHARS)}…`
    : node.value.length > MAX_LABEL_CHARS ? `${node.value.slice(0, MAX_LABEL_CHARS - 1)}…` : node.value;
  const marks = [node.shared && 'shared', node.blocked && 'blocked'].filter(Boolean);
  return marks.length > 0 ? `${value}\n(${marks.join(', ')})` : value;
}

const STYLE = [
  { selector: 'node', style: {
    'background-color': 'data(color)', shape: 'data(shape)', label: 'data(label)', width: 30, height: 30,
    'font-size': 11, color: COLORS.text, 'text-valign': 'bottom', 'text-margin-y': 5, 'text-wrap': 'wrap',
    'text-background-color': '#ffffff', 'text-background-opacity': 0.85, 'text-background-padding': 2,
    'border-width': 2, 'border-color': '#ffffff',
  } },
  { selector: 'node.shared', style: { 'border-width': 4, 'border-style': 'dashed', 'border-color': COLORS.shared } },
  { selector: 'node.blocked', style: { 'border-width': 5, 'border-style': 'double', 'border-color': COLORS.blocked, 'background-opacity': 0.55 } },
  { selector: `node#${OUTSIDE_GROUP}`, style: {
    shape: 'round-rectangle', 'background-color': COLORS.groupFill, 'background-opacity': 0.7, 'border-color': COLORS.groupBorder,
    'border-style': 'dashed', 'border-width': 2, label: 'data(label)', 'text-valign': 'top', 'text-halign': 'center',
    'text-margin-y': -4, color: COLORS.refused, 'font-size': 11, padding: 14,
  } },
  { selector: 'node:selected', style: { 'overlay-color': COLORS.selected, 'overlay-opacity': 0.45, 'overlay-padding': 7, 'border-color': COLORS.selectedBorder, 'border-width': 4 } },
  { selector: 'edge', style: { width: 2, 'line-color': COLORS.joined, 'curve-style': 'bezier' } },
  { selector: 'edge.strength-strong', style: { width: 5 } },
  { selector: 'edge.strength-medium', style: { width: 3 } },
  { selector: 'edge.strength-weak', style: { width: 1.5, 'line-style': 'dashed' } },
  { selector: 'edge.decision-refused', style: { 'line-color': COLORS.refused } },
  { selector: 'edge.decision-ignored', style: { 'line-color': COLORS.ignored } },
  { selector: 'edge.decision-cut, edge.decision-pending', style: { 'line-color': COLORS.cut, 'line-style': 'dotted' } },
  { selector: 'edge:selected', style: { 'line-color': COLORS.selectedBorder, 'overlay-color': COLORS.selected, 'overlay-opacity': 0.45, 'overlay-padding': 5 } },
];

/** Radius of the circle the layout starts from, per node on it. */
const START_RADIUS_PER_NODE = 12;

function elementsOf(view) {
  const elements = [];
  const radius = START_RADIUS_PER_NODE * view.nodes.length;
  if (view.nodes.some((n) => n.outside)) {
    elements.push({ group: 'nodes', data: { id: OUTSIDE_GROUP, label: 'other personas: links not joined' }, selectable: false });
  }
  view.nodes.forEach((node, i) => {
    elements.push({
      group: 'nodes',
      data: { id: `n${i}`, index: i, type: node.type, value: node.value, label: label(node), color: TYPE_LOOK[node.type].color, shape: TYPE_LOOK[node.type].shape,
        parent: node.outside ? OUTSIDE_GROUP : undefined },
      classes: [node.shared && 'shared', node.blocked && 'blocked', node.outside && 'outside'].filter(Boolean),
      position: { x: radius * Math.cos((2 * Math.PI * i) / view.nodes.length), y: radius * Math.sin((2 * Math.PI * i) / view.nodes.length) },
      // only the persona's own identifiers can be split off it
      selectable: !node.outside,
    });
  });
  view.edges.forEach((edge, i) => {
    const inside = !view.nodes[edge.from].outside && !view.nodes[edge.to].outside;
    elements.push({
      group: 'edges',
      data: { id: `e${i}`, index: i, source: `n${edge.from}`, target: `n${edge.to}` },
      classes: [`strength-${edge.strength}`, `decision-${decisionClass(edge.decision)}`],
      selectable: inside,
    });
  });
  return elements;
}

/**
 * Draws `view` (GET …/personas/{id}/graph) into `container`.
 * @param {{seen: Map<string, {firstSeen: string, lastSeen: string}>, onSelect: () => void}} options
 *   seen: first/last seen by `type:value`; onSelect: called when the selection changes.
 */
export function drawPicture(container, view, { seen, onSelect }) {
  const canvas = h('div', { class: 'picture-canvas', 'data-testid': 'picture' });
  const tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  fill(container, canvas, tooltip);
  const cy = window.cytoscape({
    container: canvas,
    elements: elementsOf(view),
    style: STYLE,
    layout: layoutFor(canvas.clientWidth),
    selectionType: 'additive',
    boxSelectionEnabled: true,
    minZoom: 0.25,
    maxZoom: 3,
  });

  // a layout wider than tall on a portrait screen (a phone) would be drawn tiny: mirror it on the diagonal
  const box = cy.elements().boundingBox();
  if (box.w > box.h !== canvas.clientWidth > canvas.clientHeight) {
    cy.nodes().filter((n) => !n.isParent()).positions((n) => ({ x: n.position('y'), y: n.position('x') }));
  }
  const fit = () => {
    cy.fit(undefined, FIT_PADDING);
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
    }
  };
  fit();

  const describe = (element) => {
    if (element.isNode()) {
      const node = view.nodes[element.data('index')];
      const times = seen.get(`${node.type}:${node.value}`);
      return [
        h('strong', {}, TYPE_LOOK[node.type].label), h('div', { class: 'mono' }, node.value),
        times && h('div', {}, `seen ${formatTime(times.firstSeen)} – ${formatTime(times.lastSeen)}`),
        node.shared && h('div', { class: 'warn' }, 'Shared between people: links through it are not joined'),
        node.blocked && h('div', { class: 'bad' }, 'Blocked (junk) value: kept, links nothing'),
        node.outside && h('div', { class: 'muted' }, 'Belongs to another persona'),
      ];
    }
    const edge = view.edges[element.data('index')];
    const [a, b] = [view.nodes[edge.from], view.nodes[edge.to]];
    return [
      h('strong', {}, `${TYPE_LOOK[a.type].label} – ${TYPE_LOOK[b.type].label}`),
      h('div', {}, `${STRENGTH_TEXT[edge.strength] ?? edge.strength}, ${decisionText(edge.decision)}`),
      h('div', {}, 'event ', h('span', { class: 'mono' }, edge.eventId ?? '(no id)'), ` at ${formatTime(edge.timestamp)}`),
    ];
  };
  const showTooltip = (element, position) => {
    if (!element.isNode() && !element.isEdge()) return;
    if (element.id() === OUTSIDE_GROUP) return;
    fill(tooltip, describe(element));
    tooltip.hidden = false;
    const room = canvas.clientWidth - tooltip.offsetWidth - TOOLTIP_OFFSET;
    tooltip.style.left = `${Math.max(0, Math.min(position.x + TOOLTIP_OFFSET, room))}px`;
    tooltip.style.top = `${position.y + TOOLTIP_OFFSET}px`;
  };
  const hideTooltip = () => { tooltip.hidden = true; };
  cy.on('mouseover', 'node, edge', (event) => showTooltip(event.target, event.renderedPosition ?? event.target.renderedPosition()));
  cy.on('mouseout', 'node, edge', hideTooltip);
  // touch screens have no hover: a tap shows the same details
  cy.on('tap', 'node, edge', (event) => showTooltip(event.target, event.renderedPosition));
  cy.on('tap', (event) => { if (event.target === cy) hideTooltip(); });
  cy.on('select unselect', 'node, edge', () => onSelect());

  const identifierOf = (i) => ({ type: view.nodes[i].type, value: view.nodes[i].value });
  return {
    cy,
    /** What is selected, as a split request: identifiers to split off and links to cut. */
    selection() {
      const selected = cy.$(':selected');
      return {
        identifiers: selected.nodes().map((n) => identifierOf(n.data('index'))),
        edges: selected.edges().map((e) => {
          const edge = view.edges[e.data('index')];
          return { from: identifierOf(edge.from), to: identifierOf(edge.to) };
        }),
      };
    },
    clearSelection: () => cy.$(':selected').unselect(),
    fit,
    destroy: () => cy.destroy(),
  };
}
