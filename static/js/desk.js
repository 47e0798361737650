// Check-in desk: the field ready for the next scan, a beep on a loud warning, live
// counters, and scanning with the camera where the browser can. Without JavaScript the
// desk still works: every answer is a new page whose field is empty and has autofocus.
"use strict";
(function () {
  const desk = document.querySelector(".desk");
  if (!desk) return;
  const field = document.getElementById("desk-q");

  // After every answer the field is empty and focused, also when the browser brings the
  // page back from its history (it would restore what was typed). A new answer is served
  // empty (autocomplete off): it is only focused, so that what a fast scanner typed before
  // this script ran, or before the page's load event, is kept, not wiped halfway.
  field.focus();
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      field.value = "";
      field.focus();
    }
  });
  // A scan is answered at once (no redirect): the address bar gets the page's own address
  // as a GET, so that a refresh reads the card again instead of sending the scan again.
  if (desk.dataset.url && window.history.replaceState) {
    window.history.replaceState(null, "", desk.dataset.url);
  }
  // A scanner types wherever the focus is: keys typed outside a field go to the scan field.
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
    if (event.key === " " || (target.closest && target.closest("input, textarea, select"))) return;
    field.focus();
  });

  // A loud warning (unknown code, nobody found, an arrival to confirm) beeps where the
  // browser lets the page play sound.
  if (document.querySelector(".desk__alert, .desk__card--warn")) {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.type = "square";
      tone.frequency.value = 880;
      volume.gain.value = 0.15;
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.35);
    } catch (error) { /* no sound here: the colour says it */ }
  }

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
