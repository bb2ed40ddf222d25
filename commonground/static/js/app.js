// Common Ground's own script: small, no inline handlers (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // Confirm before actions that cannot be undone quietly (withdrawing consent, ending access).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
});
