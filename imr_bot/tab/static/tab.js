/* The IMR tab: reads the bot's /tab/api/ routes and draws the page. Every value from the
   server is put on the page as text (never as HTML). In local mode the bot answers without a
   token (the demo person); in Teams the page asks Teams for a single sign-on token first. */
(function () {
  "use strict";
  var token = null;
  var page = document.body.getAttribute("data-page");
  var content = document.getElementById("content");

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function say(text) {
    var message = document.getElementById("message");
    message.textContent = text;
    message.hidden = !text;
  }

  function headers() { return token ? { Authorization: "Bearer " + token } : {}; }

  function get(path) {
    return fetch(path, { headers: headers(), credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) throw new Error("signin");
      if (response.status === 404) throw new Error("missing");
      if (response.status === 403) return response.json().then(function (b) { throw new Error(b.error || "forbidden"); });
      if (!response.ok) throw new Error("failed");
      return response;
    });
  }

  function loadTeams() {
    // only in Teams (the bot refused to answer without a token): a plain browser in local
    // mode never loads the Teams library
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = "/tab/vendor/teams-js.min.js";
      script.onload = function () { window.microsoftTeams ? resolve(window.microsoftTeams) : reject(new Error("signin")); };
      script.onerror = function () { reject(new Error("signin")); };
      document.head.appendChild(script);
    });
  }

  function teamsToken() {
    var teams;
    return loadTeams().then(function (found) {
      teams = found;
      return teams.app.initialize();
    }).then(function () {
      return teams.app.getContext();
    }).then(function (context) {
      var sub = context && context.page && context.page.subPageId;
      if (sub && page === "board" && !window.location.search) {
        window.location.replace("/tab/review?ref=" + encodeURIComponent(sub));
      }
      return teams.authentication.getAuthToken();
    }).then(function (found) { token = found; });
  }

  function whoAmI() {
    return get("/tab/api/me").catch(function (error) {
      if (error.message !== "signin") throw error;
      return teamsToken().then(function () { return get("/tab/api/me"); });
    }).then(function (r) { return r.json(); });
  }

  function showWho(me) {
    var who = document.getElementById("who");
    who.textContent = "";
    if (me.local) {
      who.appendChild(el("span", { className: "local", text: "Local mode" }));
      who.appendChild(document.createTextNode(": you are seeing this as "));
    } else {
      who.appendChild(document.createTextNode("Signed in as "));
    }
    who.appendChild(el("strong", { text: me.name }));
    if (me.roles.length) who.appendChild(document.createTextNode(" (" + me.roles.join(", ") + ")"));
    var perf = document.querySelector('[data-nav="performance"]');
    perf.hidden = !me.performance;
    var current = document.querySelector('[data-nav="' + page + '"]');
    if (current) current.setAttribute("aria-current", "page");
  }

  function rag(code, words) {
    return el("span", { className: "rag rag-" + code, text: words });
  }

  function download(path, name) {
    return el("button", { type: "button", "data-csv": path, text: "Download " + name + " (.csv)" });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-csv]") : null;
    if (!target) return;
    get(target.getAttribute("data-csv")).then(function (r) { return r.blob(); }).then(function (blob) {
      var link = el("a", { href: URL.createObjectURL(blob), download: target.getAttribute("data-csv").split("/").pop() });
      document.body.appendChild(link);
      link.click();
      link.remove();
    }).catch(function () { say("The download failed. Please try again."); });
  });

  function table(caption, header, rows, numeric) {
    var head = el("tr", {}, header.map(function (h, i) {
      return el("th", { scope: "col", className: numeric && numeric[i] ? "number" : "", text: h });
    }));
    var body = rows.map(function (row) {
      return el("tr", {}, row.map(function (cell, i) {
        if (cell instanceof Node) return el("td", {}, [cell]);
        return el("td", { className: numeric && numeric[i] ? "number" : "", text: cell === null || cell === undefined ? "" : String(cell) });
      }));
    });
    return el("table", {}, [el("caption", { text: caption }), el("thead", {}, [head]), el("tbody", {}, body)]);
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // -- the board ----------------------------------------------------------------------------
  function board(me) {
    return get("/tab/api/board").then(function (r) { return r.json(); }).then(function (data) {
      var reviews = data.reviews;
      function options(values) {
        return [el("option", { value: "", text: "All" })].concat(values.filter(function (v, i, all) {
          return v && all.indexOf(v) === i;
        }).sort().map(function (v) { return el("option", { value: v, text: v }); }));
      }
      function select(id, label, values) {
        return el("label", { for: id }, [label, el("select", { id: id }, options(values))]);
      }
      var filters = el("fieldset", {}, [
        el("legend", { text: "Show" }),
        el("label", { for: "f-mine" }, [el("input", { type: "checkbox", id: "f-mine" }), "Only mine"]),
        el("label", { for: "f-overdue" }, [el("input", { type: "checkbox", id: "f-overdue" }), "Only overdue"]),
        select("f-type", "Type", reviews.map(function (r) { return r.typeTitle; })),
        select("f-stage", "Stage", reviews.map(function (r) { return r.stageTitle; })),
        select("f-author", "Author", reviews.map(function (r) { return r.author; })),
        select("f-qa", "QA lead", reviews.map(function (r) { return r.qaLead; }))
      ]);
      var count = el("p", { id: "count", role: "status" });
      var chart = el("div", { id: "timeline", className: "chart tall", role: "img" });
      var holder = el("div", { id: "board-table" });
      content.appendChild(filters);
      content.appendChild(count);
      content.appendChild(el("h2", { text: "Timeline" }));
      content.appendChild(el("p", { className: "muted", text: "Planned dates are open circles, dates reached are filled; the line is today, " + data.today + ". The table below gives every date." }));
      content.appendChild(chart);
      content.appendChild(el("h2", { text: "Every open review" }));
      content.appendChild(el("p", { className: "downloads" }, [download("/tab/api/board.csv", "the board")]));
      content.appendChild(holder);

      function shown() {
        var v = function (id) { return document.getElementById(id).value; };
        var c = function (id) { return document.getElementById(id).checked; };
        return reviews.filter(function (r) {
          return (!c("f-mine") || r.mine) && (!c("f-overdue") || r.rag === "red") &&
            (!v("f-type") || r.typeTitle === v("f-type")) && (!v("f-stage") || r.stageTitle === v("f-stage")) &&
            (!v("f-author") || r.author === v("f-author")) && (!v("f-qa") || r.qaLead === v("f-qa"));
        });
      }
      function draw() {
        var rows = shown();
        count.textContent = plural(rows.length, "review", "reviews") + " shown of " + reviews.length + ".";
        holder.textContent = "";
        holder.appendChild(table("Open reviews, the soonest due first", ["Reference", "Type", "Stage", "Next milestone", "Due", "Working days left", "RAG", "Next step with", "Dates"],
          rows.map(function (r) {
            var ref = r.entitled ? el("a", { href: "/tab/review?ref=" + encodeURIComponent(r.reference), text: r.reference }) : el("span", { text: r.reference });
            var dates = r.milestones.map(function (m) {
              return m.title + " " + m.planned + (m.actual ? " (done " + m.actual + ")" : "");
            }).join("; ");
            return [ref, r.typeTitle, r.stageTitle + (r.heldSince ? " since " + r.heldSince : ""), r.nextMilestone, r.nextDue,
              r.workingDaysLeft === null ? "" : String(r.workingDaysLeft), rag(r.rag, r.ragTitle), r.holder, dates];
          }), [false, false, false, false, false, true]));
        window.imrCharts.timeline(chart, rows, data.today);
      }
      filters.addEventListener("change", draw);
      draw();
    });
  }

  // -- one review ---------------------------------------------------------------------------
  function review() {
    var ref = new URLSearchParams(window.location.search).get("ref") || "";
    return get("/tab/api/review?ref=" + encodeURIComponent(ref)).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("title").textContent = "Review " + d.reference;
      document.title = "IMR tracker — review " + d.reference;
      content.appendChild(el("ul", { className: "summary" }, [
        el("li", { text: d.typeTitle }), el("li", { text: "Stage: " + d.stageTitle + (d.heldSince ? " since " + d.heldSince : "") }),
        el("li", {}, ["RAG: ", rag(d.rag, d.ragTitle)]), el("li", { text: "Next step with " + d.holder }),
        el("li", { text: "Subject: " + d.initials })]));
      content.appendChild(el("h2", { text: "The plan, Day 1 to Day 35" }));
      var chart = el("div", { id: "plan", className: "chart", role: "img" });
      content.appendChild(chart);
      content.appendChild(table("Milestones", ["Milestone", "Working day", "Planned", "Reached"],
        d.milestones.map(function (m) { return [m.title, String(m.day), m.planned, m.actual || "not yet"]; }), [false, true]));
      window.imrCharts.plan(chart, d);
      content.appendChild(el("h2", { text: "Dates moved and agreed" }));
      content.appendChild(d.changes.length ? table("Changes to the plan", ["Milestone", "From", "To", "By", "Reason", "On"],
        d.changes.map(function (c) { return [c.milestone, c.old, c.new, c.by, c.reason, c.at]; })) : el("p", { text: "No dates have been moved." }));
      content.appendChild(el("h2", { text: "People" }));
      content.appendChild(table("People on this review", ["Role", "Name"], d.people.map(function (p) { return [p.role, p.name]; })));
      content.appendChild(el("h2", { text: "Meetings" }));
      content.appendChild(d.meetings.length ? table("Meetings", ["Meeting", "Starts", "Minutes", "Status"],
        d.meetings.map(function (m) { return [m.kind, m.starts.replace("T", " "), String(m.minutes), m.status]; })) : el("p", { text: "No meetings yet." }));
      content.appendChild(el("h2", { text: "Document versions" }));
      content.appendChild(d.documents.length ? table("Documents submitted", ["Version", "Kind", "File"],
        d.documents.map(function (x) { return [String(x.version), x.kind, x.filename]; })) : el("p", { text: "Nothing submitted yet." }));
      content.appendChild(el("h2", { text: "Decisions" }));
      content.appendChild(d.decisions.length ? el("ul", {}, d.decisions.map(function (t) { return el("li", { text: t }); })) : el("p", { text: "No decisions yet." }));
      content.appendChild(el("h2", { text: "History" }));
      content.appendChild(el("ul", {}, d.history.map(function (t) { return el("li", { text: t }); })));
    });
  }

  // -- performance --------------------------------------------------------------------------
  var CHARTS = [
    ["on-time", "On-time rate per milestone", "onTime", [false, true, true, true]],
    ["stages", "Working days taken per stage", "stages", [false, false, true, true, true, true, true, true]],
    ["amendments", "Rounds of amendments per review", "amendments", [false, true, true]],
    ["months", "Reviews opened and closed per month", "months", [false, true, true]],
    ["workload", "Open reviews per author and QA senior lead", "workload", [false, false, true]],
    ["forecast", "Slippage forecast for each open review", "forecast", [false, false, false, false, true, false]]
  ];

  function performance() {
    return get("/tab/api/performance").then(function (r) { return r.json(); }).then(function (d) {
      var slipping = d.tables.forecast.rows.filter(function (r) { return r[5] === "will slip"; }).length;
      content.appendChild(el("ul", { className: "summary" }, [
        el("li", { text: plural(d.open, "open review", "open reviews") }),
        el("li", { text: plural(d.closed, "closed review", "closed reviews") }),
        el("li", { className: slipping ? "slip" : "", text: plural(slipping, "review is forecast to slip", "reviews are forecast to slip") })]));
      CHARTS.forEach(function (c) {
        var t = d.tables[c[0]];
        var chart = el("div", { id: "chart-" + c[0], className: "chart" + (c[0] === "forecast" ? " tall" : ""), role: "img" });
        content.appendChild(el("h2", { id: "h-" + c[0], text: c[1] }));
        content.appendChild(chart);
        var rows = t.rows;
        if (c[0] === "forecast") {
          rows = rows.map(function (r) {
            return r.slice(0, 5).concat([el("span", { className: r[5] === "will slip" ? "slip" : r[5] === "at risk" ? "risk" : "", text: r[5] })]);
          });
        }
        content.appendChild(table(c[1] + ": the figures", t.header, rows, c[3]));
        content.appendChild(el("p", { className: "downloads" }, [download("/tab/api/performance/" + c[0] + ".csv", "these figures")]));
        window.imrCharts[c[2]](chart, t);
      });
    });
  }

  whoAmI().then(function (me) {
    showWho(me);
    if (page === "board") return board(me);
    if (page === "review") return review();
    if (page === "performance") {
      if (!me.performance) { say("Only the Service Directors, the Head of CP & IRO and Business Services can see the performance figures."); return; }
      return performance();
    }
  }).catch(function (error) {
    if (error.message === "signin") say("You need to be signed in to Teams, and in the IMR people directory, to see this.");
    else if (error.message === "missing") say("There is no review with that reference that you can see.");
    else if (error.message === "failed") say("Something went wrong on our side. Please try again in a moment.");
    else say(error.message);
  });
})();
