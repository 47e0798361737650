// Check-in desk: live counters, and scanning with the camera where the browser can.
"use strict";
(function () {
  const desk = document.querySelector(".desk");
  if (!desk) return;

  // Counters follow the other desks every 15 s.
  const arrived = document.getElementById("desk-arrived");
  const expected = document.getElementById("desk-expected");
  setInterval(async () => {
    try {
      const response = await fetch(desk.dataset.countersUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      arrived.textContent = data.arrived;
      expected.textContent = data.expected;
    } catch (error) { /* offline for a moment: keep the last figures */ }
  }, 15000);

  // The camera: BarcodeDetector (Chrome on Android, Edge, Safari…); elsewhere a scanner
  // or the keyboard fill the field.
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  const button = document.getElementById("desk-camera");
  const video = document.getElementById("desk-video");
  const field = document.getElementById("desk-q");
  button.hidden = false;
  button.addEventListener("click", async () => {
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const look = async () => {
      const codes = await detector.detect(video);
      if (codes.length) {
        stream.getTracks().forEach((track) => track.stop());
        field.value = codes[0].rawValue;
        field.form.submit();
        return;
      }
      requestAnimationFrame(look);
    };
    look();
  });
})();
