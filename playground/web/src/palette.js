// The explorer's colours and box sizes, shared by the drawings of every
// mode (and free of the page, so the graph builders run anywhere).

// Above this many nodes dagre is too slow for an interactive page; the
// layered layout by depth (the default) takes its place.
export const DAGRE_MAX_NODES = 300;

// Depth colours (viridis for 0-4, then distinct warm hues), with the label
// colour readable on each.
export const DEPTH_COLOURS = [
  ['#440154', '#fff'], ['#3b528b', '#fff'], ['#21918c', '#fff'], ['#5ec962', '#000'],
  ['#fde725', '#000'], ['#f4a259', '#000'], ['#e39bc8', '#000'], ['#a6886d', '#000'],
];
export const depthColour = (d) => DEPTH_COLOURS[Math.min(d, DEPTH_COLOURS.length - 1)];

// The colours of a comparison's nodes by what the second graph does to the
// package, with the label colour readable on each.
export const DIFF_COLOURS = {
  added: ['#1a9850', '#fff'],
  removed: ['#d73027', '#fff'],
  changed: ['#fdae61', '#000'],
  same: ['#d9dde2', '#222'],
};

/** boxWidth is the width of a node whose label is label. */
export const boxWidth = (label) => Math.max(40, label.length * 6.6 + 14);

