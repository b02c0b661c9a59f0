/* The tab's charts, drawn with Apache ECharts (served from node_modules, see docs/adr). Each
   chart has an aria-label saying what it shows; its figures are in the table beside it. Colours
   never carry meaning alone: shapes and words do too. */
(function () {
  "use strict";
  var RAG = { red: "#a4262c", amber: "#8a5300", green: "#0b6a0b", none: "#5c5c5c" };
  var BLUE = "#3b3a9e", TEAL = "#00666b";

  function start(node, label, option) {
    node.setAttribute("aria-label", label);
    if (!window.echarts) {
      node.textContent = "The chart could not be drawn; the table below has every figure.";
      return;
    }
    var chart = window.echarts.getInstanceByDom(node) || window.echarts.init(node, null, { renderer: "svg" });
    option.aria = { enabled: false };
    option.animation = false;
    chart.setOption(option, true);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function timeline(node, rows, today) {
    var shown = rows.slice(0, 60);
    var refs = shown.map(function (r) { return r.reference; });
    var planned = [], reached = [], next = [];
    shown.forEach(function (r) {
      r.milestones.forEach(function (m) {
        planned.push({ value: [m.planned, r.reference], name: m.title });
        if (m.actual) reached.push({ value: [m.actual, r.reference], name: m.title });
      });
      if (r.nextDue) next.push({ value: [r.nextDue, r.reference], name: r.nextMilestone + " (" + r.ragTitle + ")",
        itemStyle: { color: RAG[r.rag] || RAG.none } });
    });
    start(node, "Timeline of " + shown.length + " open reviews, their milestones planned and reached, and today's date " + today +
      (rows.length > shown.length ? "; the first 60 are drawn, the table lists all" : ""), {
      grid: { left: 110, right: 24, top: 30, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: "item", formatter: function (p) { return p.value[1] + ": " + p.name + ", " + p.value[0]; } },
      xAxis: { type: "time" },
      yAxis: { type: "category", data: refs, inverse: true },
      series: [
        { name: "Planned", type: "scatter", symbol: "emptyCircle", symbolSize: 9, itemStyle: { color: BLUE }, data: planned,
          markLine: { symbol: "none", label: { formatter: "Today" }, lineStyle: { color: "#1b1b1b", type: "dashed" }, data: [{ xAxis: today }] } },
        { name: "Reached", type: "scatter", symbol: "circle", symbolSize: 9, itemStyle: { color: TEAL }, data: reached },
        { name: "Next due (RAG)", type: "scatter", symbol: "diamond", symbolSize: 14, data: next }
      ]
    });
  }

  function plan(node, d) {
    var label = function (m) { return m.title + ", Day " + m.day; };
    var titles = d.milestones.map(label);
    start(node, "The plan of review " + d.reference + ": each milestone's working day, planned and reached", {
      grid: { left: 260, right: 24, top: 30, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time" },
      yAxis: { type: "category", data: titles, inverse: true },
      series: [
        { name: "Planned", type: "scatter", symbol: "emptyCircle", symbolSize: 12, itemStyle: { color: BLUE },
          data: d.milestones.map(function (m) { return [m.planned, label(m)]; }),
          markLine: { symbol: "none", label: { formatter: "Today" }, lineStyle: { color: "#1b1b1b", type: "dashed" }, data: [{ xAxis: d.today }] } },
        { name: "Reached", type: "scatter", symbol: "circle", symbolSize: 12, itemStyle: { color: TEAL },
          data: d.milestones.filter(function (m) { return m.actual; }).map(function (m) { return [m.actual, label(m)]; }) }
      ]
    });
  }

  function column(t, i) { return t.rows.map(function (r) { return r[i] === "" ? null : r[i]; }); }

  function bars(node, label, categories, series, horizontal) {
    var category = { type: "category", data: categories, axisLabel: { interval: 0, width: 120, overflow: "break" } };
    start(node, label, {
      grid: { left: horizontal ? 160 : 50, right: 24, top: 40, bottom: horizontal ? 30 : 70 },
      legend: { top: 0 }, tooltip: { trigger: "axis" },
      xAxis: horizontal ? { type: "value" } : category,
      yAxis: horizontal ? Object.assign({ inverse: true }, category) : { type: "value" },
      series: series
    });
  }

  window.imrCharts = {
    timeline: timeline,
    plan: plan,
    onTime: function (node, t) {
      bars(node, "On-time rate per milestone, in per cent", column(t, 0),
        [{ name: "On time (%)", type: "bar", itemStyle: { color: BLUE }, data: column(t, 3), label: { show: true, position: "top" } }]);
    },
    stages: function (node, t) {
      var names = t.rows.map(function (r) { return r[0] + " to " + r[1]; });
      bars(node, "Working days taken per stage: median, with the lower and upper quartiles", names, [
        { name: "Lower quartile", type: "bar", itemStyle: { color: "#8d8bd1" }, data: column(t, 4) },
        { name: "Median", type: "bar", itemStyle: { color: BLUE }, data: column(t, 3) },
        { name: "Upper quartile", type: "bar", itemStyle: { color: "#23225e" }, data: column(t, 5) }], true);
    },
    amendments: function (node, t) {
      bars(node, "How many reviews needed no, one, two, or three or more rounds of amendments, at QA and at sign-off", column(t, 0), [
        { name: "At QA", type: "bar", itemStyle: { color: BLUE }, data: column(t, 1) },
        { name: "At sign-off", type: "bar", itemStyle: { color: TEAL }, data: column(t, 2) }]);
    },
    months: function (node, t) {
      bars(node, "Reviews opened and closed per month", column(t, 0), [
        { name: "Opened", type: "bar", itemStyle: { color: BLUE }, data: column(t, 1) },
        { name: "Closed", type: "bar", itemStyle: { color: TEAL }, data: column(t, 2) }]);
    },
    workload: function (node, t) {
      bars(node, "Open reviews per author and QA senior lead", t.rows.map(function (r) { return r[1] + " (" + r[0] + ")"; }),
        [{ name: "Open reviews", type: "bar", itemStyle: { color: BLUE }, data: column(t, 2) }], true);
    },
    forecast: function (node, t) {
      var rows = t.rows.slice(0, 40);
      bars(node, "Working days each open review is forecast to be late (above zero) or early (below zero) against its agreed submission date",
        rows.map(function (r) { return r[0] + " (" + r[5] + ")"; }),
        [{ name: "Working days late", type: "bar", data: rows.map(function (r) {
          return { value: r[4], itemStyle: { color: r[5] === "will slip" ? RAG.red : r[5] === "at risk" ? RAG.amber : RAG.green } };
        }) }], true);
    }
  };
})();
