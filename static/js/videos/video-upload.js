// The upload page. A chosen clip (file input or drag-and-drop) is previewed at once and sent in
// the background through the resumable upload API: POST /api/videos/uploads/, then PUT chunks
// with Content-Range. A dropped connection or a server hiccup is retried with backoff, asking
// the server first how much it has (GET, `received`); the upload's id is kept in
// sessionStorage under the file's name, size and date, so choosing the same file again after a
// reload resumes it. Publish sends POST /api/videos/, then the page follows the video's
// processing (followVideo: the socket, or polling) until it is ready or failed.
// The browser's checks here are only quick ones: the server probes the file and is the judge.
import { csrfToken, request } from '../lib/api.js';
import { followVideo, isTerminal, seconds } from './video-studio.js';

const RETRIES = 8; // attempts in a row before the upload waits for the creator
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 15000;
const ANNOUNCE_EVERY = 25; // percent: the live region speaks at 25, 50, 75 and 100
const STORAGE_PREFIX = 'video-upload:';

class UploadError extends Error {
  constructor(body) {
    super(body?.message ?? 'The upload failed.');
    this.body = body ?? { message: this.message, fields: {} };
  }
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        window.clearTimeout(timer);
        reject(new DOMException('Aborted', 'AbortError'));
      },
      { once: true },
    );
  });
}

// One chunk by XMLHttpRequest, the one API that reports upload progress. Resolves with the
// answer {ok, status, body}; rejects with a TypeError when the connection dropped.
function putChunk(url, blob, start, total, signal, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', url);
    request.setRequestHeader('Accept', 'application/json');
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.setRequestHeader('Content-Range', `bytes ${start}-${start + blob.size - 1}/${total}`);
    request.setRequestHeader('X-CSRFToken', csrfToken());
    request.upload.addEventListener('progress', (event) => onProgress(Math.min(event.loaded, blob.size)));
    request.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = { code: `http_${request.status}`, message: `The server answered ${request.status}.`, fields: {} };
      }
      resolve({ ok: request.status >= 200 && request.status < 300, status: request.status, body });
    });
    request.addEventListener('error', () => reject(new TypeError('The connection dropped.')));
    request.addEventListener('timeout', () => reject(new TypeError('The connection timed out.')));
    request.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')));
    signal.addEventListener('abort', () => request.abort(), { once: true });
    request.send(blob);
  });
}

function setUp(form) {
  const $ = (selector) => form.querySelector(selector);
  const input = $('#video-file');
  const zone = $('[data-drop-zone]');
  const hint = zone.querySelector('.upload-drop-hint');
  const hintText = hint.textContent;
  const fileInfo = $('[data-file-info]');
  const preview = $('[data-preview]');
  const video = $('[data-preview-video]');
  const previewCaption = $('[data-preview-caption]');
  const trim = $('[data-trim]');
  const trimOn = $('[data-trim-on]');
  const trimRange = $('[data-trim-range]');
  const trimNumber = $('[data-trim-number]');
  const trimWindow = $('[data-trim-window]');
  const caption = $('#video-caption');
  const visibility = $('#video-visibility');
  const progressBox = $('[data-upload-progress]');
  const phase = $('[data-upload-phase]');
  const bytesText = $('[data-upload-bytes]');
  const bar = $('[data-upload-bar]');
  const status = $('[data-upload-status]');
  const cancelButton = $('[data-upload-cancel]');
  const retryButton = $('[data-upload-retry]');
  const publishButton = $('[data-publish]');
  const panel = document.querySelector('[data-processing]');

  const maxSeconds = Number(form.dataset.maxSeconds);
  const maxBytes = Number(form.dataset.maxBytes);
  const tolerance = Number(form.dataset.tolerance || 0);
  const accepted = form.dataset.accept.split(',').map((item) => item.trim().toLowerCase());
  const uploadUrl = (id) => `${form.dataset.uploadsUrl}${id}/`;

  const state = {
    file: null,
    uploadId: null,
    uploaded: false,
    uploading: null, // the running upload's promise
    controller: null,
    previewUrl: null,
    duration: null,
    announced: -1,
    stopFollowing: () => {},
  };

  const storageKey = (file) => `${STORAGE_PREFIX}${file.name}:${file.size}:${file.lastModified}`;
  const remember = (file, id) => {
    try {
      window.sessionStorage.setItem(storageKey(file), id);
    } catch {
      // Private mode without storage: the upload just cannot be resumed after a reload.
    }
  };
  const forget = (file) => {
    try {
      window.sessionStorage.removeItem(storageKey(file));
    } catch {
      // as above
    }
  };
  const remembered = (file) => {
    try {
      return window.sessionStorage.getItem(storageKey(file));
    } catch {
      return null;
    }
  };

  // --- Messages ------------------------------------------------------------------------------

  function say(text) {
    status.textContent = text;
  }

  function errorBox(field) {
    const name = ['upload', 'filename', 'size'].includes(field) ? 'file' : field;
    return form.querySelector(`[data-error-for="${name}"]`) ?? form.querySelector('[data-error-for="__all__"]');
  }

  const FIELD_CONTROLS = { file: input, trim_start: trimRange, caption, visibility };

  function clearErrors() {
    for (const box of form.querySelectorAll('[data-error-for]')) {
      box.textContent = '';
      if (box.dataset.errorFor === '__all__') box.hidden = true;
    }
    for (const control of Object.values(FIELD_CONTROLS)) control.classList.remove('is-invalid');
    zone.classList.remove('is-invalid');
  }

  /** Show an error body {code, message, fields} next to its fields; focus the first. */
  function showErrors(body, { focus = true } = {}) {
    const fields = Object.entries(body?.fields ?? {}).filter(([, messages]) => messages?.length);
    const shown = fields.length ? fields : [['__all__', [body?.message ?? 'Something went wrong. Try again.']]];
    let first = null;
    for (const [field, messages] of shown) {
      const box = errorBox(field);
      box.textContent = [box.textContent, ...messages].filter(Boolean).join(' ');
      box.hidden = false;
      const control = FIELD_CONTROLS[box.dataset.errorFor];
      control?.classList.add('is-invalid');
      if (box.dataset.errorFor === 'file') zone.classList.add('is-invalid');
      first ??= control && !control.disabled ? control : box;
    }
    if (focus) first?.focus();
  }

  // --- The upload's progress -----------------------------------------------------------------

  function showProgress(sent, total, label = 'Uploading') {
    const percent = total ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
    progressBox.hidden = false;
    phase.textContent = label;
    bar.setAttribute('aria-valuenow', String(percent));
    bar.setAttribute('aria-valuetext', `${percent}% uploaded`);
    const fill = bar.querySelector('.progress-bar');
    fill.style.width = `${percent}%`;
    fill.textContent = `${percent}%`;
    bytesText.textContent = `${formatBytes(sent)} of ${formatBytes(total)}`;
    const step = Math.floor(percent / ANNOUNCE_EVERY);
    if (step > state.announced) {
      state.announced = step;
      if (percent > 0 && percent < 100) say(`Uploading: ${percent}% sent.`);
    }
  }

  function setBusy(uploading) {
    cancelButton.hidden = !uploading;
    publishButton.disabled = uploading || !state.file;
    form.setAttribute('aria-busy', String(uploading));
    if (uploading) retryButton.hidden = true;
  }

  // --- Sending the file ----------------------------------------------------------------------

  async function openUpload(file, signal) {
    const saved = state.uploadId ?? remembered(file);
    if (saved) {
      const answer = await request(uploadUrl(saved), { signal });
      if (answer.ok && answer.body.size === file.size) {
        if (answer.body.received > 0 && answer.body.received < file.size) {
          say(`Resuming the upload from ${formatBytes(answer.body.received)}.`);
        }
        return answer.body;
      }
      if (answer.ok || answer.status === 404) {
        forget(file);
      } else {
        throw new UploadError(answer.body);
      }
    }
    const answer = await request(form.dataset.uploadsUrl, {
      method: 'POST',
      json: { filename: file.name, size: file.size },
      signal,
    });
    if (!answer.ok) throw new UploadError(answer.body);
    remember(file, answer.body.id);
    return answer.body;
  }

  // Where the server has got to, or null when it could not be asked.
  async function whereAreWe(id, signal) {
    try {
      const answer = await request(uploadUrl(id), { signal });
      return answer.ok ? answer.body : null;
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      return null;
    }
  }

  async function sendFile(file, signal) {
    let upload = await openUpload(file, signal);
    state.uploadId = upload.id;
    showProgress(upload.received, file.size);
    let failures = 0;
    while (upload.received < file.size) {
      const start = upload.received;
      const chunk = file.slice(start, Math.min(start + upload.chunk_size, file.size));
      let answer = null;
      try {
        answer = await putChunk(uploadUrl(upload.id), chunk, start, file.size, signal, (loaded) =>
          showProgress(start + loaded, file.size),
        );
      } catch (error) {
        if (error.name === 'AbortError') throw error;
        // The connection dropped: fall through to the backoff below.
      }
      if (answer?.ok) {
        upload = answer.body;
        failures = 0;
        showProgress(upload.received, file.size);
        continue;
      }
      if (answer?.status === 409) {
        // The server has a different offset (an earlier chunk did arrive after all): ask it.
        upload = (await whereAreWe(upload.id, signal)) ?? upload;
        failures += 1;
        if (failures <= RETRIES) continue;
      }
      if (answer?.status === 404) {
        // Expired or removed on the server: start again from the beginning.
        forget(file);
        state.uploadId = null;
        throw new UploadError({ message: 'The upload expired on the server. Choose the file again to send it anew.', fields: {} });
      }
      if (answer && answer.status < 500 && ![408, 409, 429].includes(answer.status)) {
        throw new UploadError(answer.body); // refused: retrying would not help
      }
      failures += 1;
      if (failures > RETRIES) {
        throw new UploadError({ message: 'The connection keeps dropping. Press “Resume upload” to go on from where it stopped.', fields: {} });
      }
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (failures - 1));
      phase.textContent = 'Connection lost';
      say(`Connection lost. Trying again in ${Math.round(delay / 1000)} s…`);
      await wait(delay, signal);
      upload = (await whereAreWe(upload.id, signal)) ?? upload;
      say(`Resuming from ${formatBytes(upload.received)}.`);
      showProgress(upload.received, file.size);
    }
    return upload;
  }

  function startUpload() {
    if (state.uploading) return state.uploading;
    const file = state.file;
    const controller = new AbortController();
    state.controller = controller;
    state.announced = -1;
    setBusy(true);
    state.uploading = (async () => {
      try {
        const upload = await sendFile(file, controller.signal);
        if (state.file !== file) return;
        state.uploaded = true;
        state.uploadId = upload.id;
        showProgress(file.size, file.size, 'Uploaded');
        say('Upload complete. Add a caption and publish when you are ready.');
      } catch (error) {
        if (error.name === 'AbortError' || state.file !== file) return;
        phase.textContent = 'Upload stopped';
        if (error instanceof UploadError) {
          showErrors(error.body, { focus: false });
          const refused = Object.keys(error.body.fields ?? {}).length > 0;
          retryButton.hidden = refused;
          say(refused ? 'The file was refused.' : 'The upload stopped.');
        } else {
          // No answer at all (offline before the first chunk).
          showErrors({ message: 'No connection to the server. Press “Resume upload” once you are back online.', fields: {} }, { focus: false });
          retryButton.hidden = false;
          say('The upload stopped.');
        }
      } finally {
        if (state.controller === controller) {
          state.uploading = null;
          state.controller = null;
          setBusy(false);
        }
      }
    })();
    return state.uploading;
  }

  async function cancelUpload() {
    const { file, uploadId } = state;
    state.controller?.abort();
    reset({ keepText: true });
    if (file) forget(file);
    say('Upload cancelled.');
    input.focus();
    if (uploadId) {
      try {
        await request(uploadUrl(uploadId), { method: 'DELETE' });
      } catch {
        // Unfinished uploads are swept away by the server after a while anyway.
      }
    }
  }

  // --- Choosing a file -----------------------------------------------------------------------

  function looksLikeVideo(file) {
    const name = file.name.toLowerCase();
    const extension = name.includes('.') ? name.slice(name.lastIndexOf('.')) : '';
    return accepted.includes(extension) || accepted.includes(file.type.toLowerCase());
  }

  function quickCheck(file) {
    if (file.size === 0) return 'This file is empty. Choose another clip.';
    if (!looksLikeVideo(file)) return `“${file.name}” is not an MP4, WebM or MOV video.`;
    if (file.size > maxBytes) {
      return `This file is ${formatBytes(file.size)}; a video file is at most ${formatBytes(maxBytes)}.`;
    }
    return null;
  }

  function reset({ keepText = false } = {}) {
    state.controller?.abort();
    state.stopFollowing();
    Object.assign(state, {
      file: null,
      uploadId: null,
      uploaded: false,
      uploading: null,
      controller: null,
      duration: null,
      announced: -1,
      stopFollowing: () => {},
    });
    if (state.previewUrl) URL.revokeObjectURL(state.previewUrl);
    state.previewUrl = null;
    video.removeAttribute('src');
    video.load();
    input.value = '';
    fileInfo.hidden = true;
    preview.hidden = true;
    trim.hidden = true;
    trimOn.checked = false;
    setTrimEnabled(false);
    progressBox.hidden = true;
    retryButton.hidden = true;
    zone.classList.remove('has-file');
    hint.textContent = hintText;
    clearErrors();
    setBusy(false);
    say('');
    if (!keepText) {
      caption.value = '';
      caption.dispatchEvent(new Event('input')); // the character counter
      visibility.selectedIndex = 0;
    }
  }

  function choose(file) {
    reset({ keepText: true });
    state.file = file;
    fileInfo.hidden = false;
    fileInfo.querySelector('[data-file-name]').textContent = file.name;
    fileInfo.querySelector('[data-file-size]').textContent = formatBytes(file.size);
    zone.classList.add('has-file');
    hint.textContent = 'Drag another clip here, or press to choose another';
    const problem = quickCheck(file);
    if (problem) {
      state.file = null;
      setBusy(false);
      showErrors({ message: problem, fields: { file: [problem] } }, { focus: false });
      return;
    }
    showPreview(file);
    startUpload();
  }

  // --- The preview and the trim window -------------------------------------------------------

  function showPreview(file) {
    state.previewUrl = URL.createObjectURL(file);
    video.src = state.previewUrl;
    preview.hidden = false;
    previewCaption.textContent = 'Loading the preview…';
  }

  function setTrimEnabled(enabled) {
    trimRange.disabled = !enabled;
    trimNumber.disabled = !enabled;
    showWindow();
  }

  function trimStart() {
    return Math.max(0, Math.min(Number(trimRange.max), Number(trimRange.value) || 0));
  }

  function showWindow() {
    if (state.duration === null) return;
    const start = trimStart();
    trimWindow.textContent = trimOn.checked
      ? `Keeps ${start.toFixed(1)} s to ${(start + maxSeconds).toFixed(1)} s of the ${state.duration.toFixed(1)} s clip.`
      : `Not cut: publishing the whole ${state.duration.toFixed(1)} s clip will be refused.`;
  }

  function seekTo(start) {
    if (Number.isFinite(start) && video.readyState > 0) video.currentTime = start;
  }

  video.addEventListener('loadedmetadata', () => {
    if (!state.file) return;
    const duration = Number.isFinite(video.duration) ? video.duration : null;
    state.duration = duration;
    if (duration === null) {
      previewCaption.textContent = 'Preview of your clip.';
      return;
    }
    const size = video.videoWidth ? ` · ${video.videoWidth} × ${video.videoHeight}` : '';
    previewCaption.textContent = `Duration: ${seconds(duration)}${size}`;
    if (duration > maxSeconds + tolerance) {
      const latest = Math.floor((duration - maxSeconds) * 10) / 10;
      for (const control of [trimRange, trimNumber]) {
        control.max = String(latest);
        control.value = '0';
      }
      $('[data-trim-explain]').textContent =
        `This clip is ${duration.toFixed(1)} seconds long; a video is at most ${maxSeconds} seconds. ` +
        `Cut it to choose which ${maxSeconds} seconds to keep: the preview plays just that part.`;
      trim.hidden = false;
      showWindow();
      // Said here, not in the upload's status line, which the upload itself keeps up to date.
      previewCaption.textContent += ` · longer than ${maxSeconds} seconds: cut it below`;
    }
    video.play().catch(() => {
      // Autoplay refused: the controls are there.
    });
  });

  video.addEventListener('error', () => {
    if (!state.file) return;
    previewCaption.textContent =
      'This browser cannot play the clip to preview it. You can still publish it: the server checks it.';
  });

  // With a window chosen, the preview loops inside it.
  video.addEventListener('timeupdate', () => {
    if (!trimOn.checked) return;
    const start = trimStart();
    if (video.currentTime < start - 0.25 || video.currentTime >= start + maxSeconds) seekTo(start);
  });

  trimOn.addEventListener('change', () => {
    setTrimEnabled(trimOn.checked);
    errorBox('trim_start').textContent = '';
    if (trimOn.checked) {
      seekTo(trimStart());
      trimRange.focus();
    }
  });

  trimRange.addEventListener('input', () => {
    trimNumber.value = trimRange.value;
    seekTo(trimStart());
    showWindow();
  });

  trimNumber.addEventListener('change', () => {
    trimRange.value = trimNumber.value;
    trimNumber.value = String(trimStart());
    seekTo(trimStart());
    showWindow();
  });

  // --- File input and drag-and-drop ----------------------------------------------------------

  input.addEventListener('change', () => {
    if (input.files.length) choose(input.files[0]);
  });

  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');

  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      zone.classList.add('is-dragging');
    });
  }
  zone.addEventListener('dragleave', (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove('is-dragging');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('is-dragging');
    const file = event.dataTransfer.files[0];
    if (!file) return;
    try {
      input.files = event.dataTransfer.files; // so the input names the file too
    } catch {
      // Older browsers cannot set files: the page still has it.
    }
    choose(file);
    input.focus();
  });
  // A clip dropped beside the zone must not make the browser leave the page to play it.
  for (const type of ['dragover', 'drop']) {
    window.addEventListener(type, (event) => {
      if (hasFiles(event) && !zone.contains(event.target)) event.preventDefault();
    });
  }

  cancelButton.addEventListener('click', cancelUpload);
  retryButton.addEventListener('click', () => {
    clearErrors();
    if (state.file) startUpload();
  });

  // --- Publishing ----------------------------------------------------------------------------

  form.addEventListener('submit', async (event) => {
    event.preventDefault(); // before busy-forms.js: this form never leaves the page
    if (form.dataset.publishing === 'true') return;
    clearErrors();
    if (!state.file) {
      showErrors({ fields: { file: ['Choose a video to upload first.'] } });
      return;
    }
    form.dataset.publishing = 'true';
    publishButton.disabled = true;
    const spinner = document.createElement('span');
    spinner.className = 'spinner-border spinner-border-sm me-2';
    spinner.setAttribute('aria-hidden', 'true');
    publishButton.prepend(spinner);
    try {
      if (!state.uploaded) await startUpload();
      if (!state.uploaded) return; // the upload says why
      say('Publishing…');
      const payload = { upload: state.uploadId, caption: caption.value, visibility: visibility.value };
      if (trimOn.checked && !trim.hidden) payload.trim_start = trimStart();
      let answer;
      try {
        answer = await request(form.dataset.videosUrl, { method: 'POST', json: payload });
      } catch {
        showErrors({ message: 'No connection to the server. Press Publish again once you are back online.', fields: {} });
        say('');
        return;
      }
      if (answer.ok) {
        forget(state.file);
        showProcessing(answer.body);
        return;
      }
      say('');
      // Too long, and the page knows the clip's length: the way on is the trim switch.
      const canCut = answer.body?.code === 'too_long' && !trim.hidden;
      showErrors(answer.body, { focus: !canCut });
      if (canCut) trimOn.focus();
      // A refused publish may have taken the upload with it: then the next Publish sends it again.
      const upload = await whereAreWe(state.uploadId);
      if (!upload || upload.received < upload.size) {
        if (!upload) forget(state.file);
        state.uploaded = false;
        state.uploadId = upload ? upload.id : null;
      }
    } finally {
      delete form.dataset.publishing;
      spinner.remove();
      publishButton.disabled = Boolean(state.uploading) || !state.file;
    }
  });

  // --- After publishing: processing, then ready or failed ------------------------------------

  const resultTitle = panel.querySelector('[data-result-title]');
  const resultText = panel.querySelector('[data-result-text]');
  const resultIcon = panel.querySelector('[data-result-icon] i');
  const resultBar = panel.querySelector('[data-processing-bar]');
  const resultStatus = panel.querySelector('[data-processing-status]');
  const watchLink = panel.querySelector('[data-watch-link]');
  const studioLink = panel.querySelector('[data-studio-link]');
  const tryAnother = panel.querySelector('[data-try-another]');
  const uploadAnother = panel.querySelector('[data-upload-another]');
  let spokenStep = -1;
  let shownState = null;

  function showVideo(video) {
    if (video === null) {
      resultTitle.textContent = 'This video is gone';
      resultText.textContent = 'It was deleted.';
      resultBar.hidden = true;
      uploadAnother.hidden = false;
      return;
    }
    const changed = video.state !== shownState;
    shownState = video.state;
    panel.dataset.state = video.state;
    if (video.status_url) studioLink.href = video.status_url;
    if (!isTerminal(video)) {
      const percent = Math.max(0, Math.min(100, Math.round(video.progress ?? 0)));
      resultTitle.textContent = 'Processing your video';
      resultIcon.className = 'bi bi-gear-wide-connected';
      resultText.textContent =
        video.state === 'uploaded'
          ? 'Waiting for its turn to be processed. You can leave this page: your studio shows how it is going.'
          : 'Making it ready to play on every screen. You can leave this page: your studio shows how it is going.';
      resultBar.hidden = false;
      resultBar.setAttribute('aria-valuenow', String(percent));
      const fill = resultBar.querySelector('.progress-bar');
      fill.style.width = `${percent}%`;
      fill.textContent = `${percent}%`;
      const step = Math.floor(percent / ANNOUNCE_EVERY);
      if (changed || step > spokenStep) {
        spokenStep = step;
        resultStatus.textContent = `Processing: ${percent}% done.`;
      }
      return;
    }
    resultBar.hidden = true;
    if (video.state === 'ready') {
      resultTitle.textContent = 'Your video is ready';
      resultIcon.className = 'bi bi-check-circle-fill';
      resultText.textContent = 'It plays in the feeds now, for the people who may see it.';
      if (video.post_url) {
        watchLink.href = video.post_url;
        watchLink.hidden = false;
      }
      uploadAnother.hidden = false;
      resultStatus.textContent = 'Your video is ready.';
    } else {
      resultTitle.textContent = 'This video could not be processed';
      resultIcon.className = 'bi bi-exclamation-triangle-fill';
      resultText.textContent = video.failure_reason || 'Something went wrong while making it ready.';
      tryAnother.hidden = false;
      resultStatus.textContent = `Processing failed: ${resultText.textContent}`;
    }
    if (changed) resultTitle.focus();
  }

  function showProcessing(published) {
    form.hidden = true;
    panel.hidden = false;
    watchLink.hidden = true;
    tryAnother.hidden = true;
    uploadAnother.hidden = true;
    spokenStep = -1;
    shownState = null;
    showVideo(published);
    resultTitle.focus();
    if (!isTerminal(published)) {
      state.stopFollowing = followVideo(`${form.dataset.videosUrl}${published.id}/`, published.id, showVideo);
    }
  }

  function backToForm({ keepText }) {
    reset({ keepText });
    panel.hidden = true;
    form.hidden = false;
    input.focus();
  }

  tryAnother.addEventListener('click', () => backToForm({ keepText: true }));
  uploadAnother.addEventListener('click', () => backToForm({ keepText: false }));

  setBusy(false);
}

const page = document.querySelector('form[data-video-upload]');
if (page) setUp(page);
