/**
 * The PyTorch peer: a Python script run with `/usr/bin/python3` (Debian's python3-torch and
 * python3-torchvision) that times torchvision's same architecture eagerly in fp32 with the same
 * budget rules as the TF.js workers, then exports the model (random weights) to ONNX with
 * `torch.onnx.export` for the onnxruntime-node peer.
 */

/**
 * The Python interpreter that sees torch: `TFZOO_BENCH_PYTHON` when set (the GPU machine's), else
 * Debian's `/usr/bin/python3` (the `python3` first on PATH here may be another).
 */
export const PYTHON = process.env.TFZOO_BENCH_PYTHON || '/usr/bin/python3';

/** The worker script: `python3 script.py <task.json> <result.json>`. */
export const TORCH_WORKER_SCRIPT = String.raw`
import json, math, os, platform, resource, sys, time

task = json.load(open(sys.argv[1]))
out = sys.argv[2]
runtime = task['runtime']
spec = task['model']
result = {'runtime': runtime['key'], 'model': spec['id'], 'available': False, 'info': {}, 'rows': []}

def save():
    with open(out + '.tmp', 'w') as f:
        json.dump(result, f, indent=1)
    os.replace(out + '.tmp', out)

def fail_all(status, reason):
    result['reason'] = reason
    result['rows'] = [dict(model=spec['id'], runtime=runtime['key'], mode=c['mode'], batch=c['batch'], status=status, reason=reason) for c in task['cases']]
    save()

def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

def fmt(s):
    return ('%.1f min' % (s / 60)) if s >= 120 else (('%.0f s' % s) if s >= 10 else ('%.2g s' % s))

save()
try:
    import torch
    import torchvision
except Exception as e:
    fail_all('unavailable', 'PyTorch does not import in %s (Debian: apt-get install python3-torch python3-torchvision): %s' % (sys.executable, e))
    sys.exit(0)

device = runtime.get('device') or 'cpu'
tf32 = bool(runtime.get('tf32'))
channels_last = bool(runtime.get('channelsLast'))
torch.set_num_threads(runtime['threads'])
torch.manual_seed(task['seed'])
result['info'] = {
    'torch': torch.__version__, 'torchvision': torchvision.__version__, 'python': platform.python_version(),
    'threads': torch.get_num_threads(), 'mkldnn': torch.backends.mkldnn.is_available(),
    'device': device,
    'mode': 'eager, fp32%s%s, torch.no_grad() for inference' % (
        ', TF32 allowed' if tf32 else (', TF32 off' if device == 'cuda' else ''),
        ', channels-last' if channels_last else ''),
}
if device == 'cuda':
    if not torch.cuda.is_available():
        fail_all('unavailable', 'torch.cuda.is_available() is False in %s (torch %s, built for CUDA %s)' % (sys.executable, torch.__version__, torch.version.cuda))
        sys.exit(0)
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = True
    props = torch.cuda.get_device_properties(0)
    result['info'].update({
        'gpu': torch.cuda.get_device_name(0), 'capability': '%d.%d' % torch.cuda.get_device_capability(0),
        'gpuMemoryBytes': props.total_memory, 'cuda': torch.version.cuda,
        'cudnn': torch.backends.cudnn.version(), 'cudnnBenchmark': True,
        'allowTf32': {'matmul': torch.backends.cuda.matmul.allow_tf32, 'cudnn': torch.backends.cudnn.allow_tf32},
    })
sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
memory_format = torch.channels_last if channels_last else torch.contiguous_format
try:
    model = getattr(torchvision.models, spec['torchvision'])(num_classes=1000)
except Exception as e:
    fail_all('error', 'torchvision.models.%s failed: %s' % (spec['torchvision'], e))
    sys.exit(0)
model = model.to(device=device, memory_format=memory_format)
result['available'] = True
size = task['imageSize']
model.eval()
x1 = (torch.rand(1, 3, size, size) * 2 - 1).to(device=device, memory_format=memory_format)
t0 = time.perf_counter()
with torch.no_grad():
    model(x1)
sync()
per_image = time.perf_counter() - t0
train_per_image = None
save()

def measure(base, call, estimate):
    warmup = max(1, task['warmup'])
    budget = task['rowBudgetSeconds']
    row = dict(base, status='ok', estimatedSeconds=estimate)
    planned = max(1, min(task['repeats'], math.floor(budget / estimate) - warmup)) if estimate > 0 else task['repeats']
    if estimate * (warmup + 1) > 2 * budget:
        row.update(status='skipped', reason='over budget (estimated %s per call; %d warm-up + 1 timed run exceed twice the %s row budget)' % (fmt(estimate), warmup, fmt(budget)))
        return row
    start = time.perf_counter()
    for _ in range(warmup):
        call()
    warm = (time.perf_counter() - start) / warmup
    repeats = min(planned, max(0, math.floor((budget - warm * warmup) / warm)))
    if repeats == 0:
        row.update(status='skipped', estimatedSeconds=warm, reason='over budget (the warm-up call took %s; no timed run fits the %s row budget)' % (fmt(warm), fmt(budget)))
        return row
    runs = []
    for _ in range(repeats):
        s = time.perf_counter()
        call()
        runs.append(time.perf_counter() - s)
    runs_sorted = sorted(runs)
    n = len(runs_sorted)
    mid = runs_sorted[n // 2] if n % 2 else (runs_sorted[n // 2 - 1] + runs_sorted[n // 2]) / 2
    row.update(warmup=warmup, runsSeconds=runs, medianSeconds=mid, imagesPerSecond=base['batch'] / mid)
    return row

for c in task['cases']:
    result['running'] = dict(mode=c['mode'], batch=c['batch'], since=time.time() * 1000)
    save()
    base = dict(model=spec['id'], runtime=runtime['key'], mode=c['mode'], batch=c['batch'])
    b = c['batch']
    try:
        x = (torch.rand(b, 3, size, size) * 2 - 1).to(device=device, memory_format=memory_format)
        if c['mode'] == 'inference':
            model.eval()
            def call():
                with torch.no_grad():
                    model(x)
                sync()
            row = measure(base, call, per_image * b)
            if 'medianSeconds' in row:
                per_image = row['medianSeconds'] / b
        else:
            model.train()
            labels = torch.randint(0, 1000, (b,)).to(device)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            loss_fn = torch.nn.CrossEntropyLoss()
            def call():
                optimizer.zero_grad()
                loss = loss_fn(model(x), labels)
                loss.backward()
                optimizer.step()
                loss.item()
            row = measure(base, call, (train_per_image if train_per_image else 3 * per_image) * b)
            if 'medianSeconds' in row:
                train_per_image = row['medianSeconds'] / b
            model.eval()
    except Exception as e:
        row = dict(base, status='error', reason=str(e).split('\n')[0])
    row['peakRssBytes'] = rss()
    if device == 'cuda':
        row['peakTensorBytes'] = torch.cuda.max_memory_allocated()
    result['rows'].append(row)
    result.pop('running', None)
    save()

path = task.get('exportOnnxPath')
if path and not os.path.exists(path):
    try:
        model.eval()
        t0 = time.perf_counter()
        torch.onnx.export(model.cpu(), x1.cpu(), path + '.part', input_names=['input'], output_names=['logits'],
                          dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=13)
        os.replace(path + '.part', path)
        result['info']['onnxExport'] = 'exported with torch.onnx.export (opset 13, random weights) in %.1f s' % (time.perf_counter() - t0)
    except Exception as e:
        result['info']['onnxExport'] = 'torch.onnx.export failed (if it asks for the onnx package: apt-get install python3-onnx): %s' % str(e).split('\n')[0]
elif path:
    result['info']['onnxExport'] = 'reused ' + path
save()
`;
