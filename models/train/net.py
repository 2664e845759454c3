import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_width(text):
    """'16,32,64,128,192' → (16, 32, 64, 128, 192)."""
    return tuple(int(v) for v in str(text).split(','))


def conv(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class BigBrainNet(nn.Module):
    """Small CNN, 96 px grey in. Global average pooling feeds three linear heads:
    tumour type (3), tumour present (1) and "is a brain MRI" (1). The tumour head's
    weights applied before pooling give the class activation map."""

    def __init__(self, width=(16, 32, 64, 128, 192)):
        super().__init__()
        self.width = tuple(width)
        a, b, c, d, e = width
        self.features = nn.Sequential(
            conv(1, a, 2),                      # 48
            conv(a, b), nn.MaxPool2d(2),        # 24
            conv(b, c), conv(c, c), nn.MaxPool2d(2),  # 12
            conv(c, d), conv(d, d), nn.MaxPool2d(2),  # 6
            conv(d, e),
        )
        self.drop = nn.Dropout(0.2)
        self.type_head = nn.Linear(e, 3)
        self.tumor_head = nn.Linear(e, 1)
        self.mri_head = nn.Linear(e, 1)

    def forward(self, x):
        # Per-image standardisation: brightness and contrast of the source are not cues.
        mean = x.mean(dim=(2, 3), keepdim=True)
        std = ((x - mean) ** 2).mean(dim=(2, 3), keepdim=True).add(1e-4).sqrt()
        f = self.features((x - mean) / std)
        pooled = self.drop(f.mean(dim=(2, 3)))
        cam = torch.einsum('c,nchw->nhw', self.tumor_head.weight[0], f).unsqueeze(1)
        return self.type_head(pooled), self.tumor_head(pooled).squeeze(1), self.mri_head(pooled).squeeze(1), cam


class Exported(nn.Module):
    """The graph that ships: calibrated probabilities in the contract's label order
    (glioma, meningioma, pituitary, notumor), P(brain MRI), and the tumour-evidence map."""

    def __init__(self, net, t_tumor, t_type):
        super().__init__()
        self.net = net
        self.register_buffer('t_tumor', torch.tensor(float(t_tumor)))
        self.register_buffer('t_type', torch.tensor(float(t_type)))

    def forward(self, image):
        type_logits, tumor_logit, mri_logit, cam = self.net(image)
        p_tumor = torch.sigmoid(tumor_logit / self.t_tumor).unsqueeze(1)
        p_type = F.softmax(type_logits / self.t_type, dim=1)
        probabilities = torch.cat([p_tumor * p_type, 1 - p_tumor], dim=1)
        return probabilities, torch.sigmoid(mri_logit).unsqueeze(1), cam
