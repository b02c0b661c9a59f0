/* The channel tab's configuration page: the board is the only choice. */
(function () {
  "use strict";
  if (!window.microsoftTeams) return;
  var teams = window.microsoftTeams;
  teams.app.initialize().then(function () {
    teams.pages.config.registerOnSaveHandler(function (save) {
      var base = window.location.origin;
      teams.pages.config.setConfig({ entityId: "board", contentUrl: base + "/tab/board",
        websiteUrl: base + "/tab/board", suggestedDisplayName: "IMR board" }).then(function () {
        save.notifySuccess();
      });
    });
    teams.pages.config.setValidityState(true);
  });
})();
